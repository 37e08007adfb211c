"""`python -m bench` runs the benchmark harness in bench/run.py."""
import sys

from bench.run import main

sys.exit(main())
