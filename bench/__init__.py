"""wirtinger's benchmarks: `python -m bench --help`."""
