// Everything of the header-only C++ API (README, Using it from C++): the rule table, forward
// mode (Dual), reverse mode (Tape, Var) and derivatives of C++ callables.
#pragma once

#include "scalar.hpp"
#include "rules.hpp"
#include "special_parametric.hpp"
#include "dual.hpp"
#include "tape.hpp"
#include "conventions.hpp"
#include "derivatives.hpp"
