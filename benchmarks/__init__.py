"""The performance benchmark (issue 7): ``python -m benchmarks --rows 1000000``.

runner.py orchestrates; each measured step runs in a fresh process (child.py -> steps.py);
naive.py and floor.sql are the two references; agree.py checks all three give the same numbers;
report.py writes the table and the targets; load.py is the load step's client (many lightweight
Streamlit sessions on one server; also ``python -m benchmarks.load``). docs/performance.md explains
it in words. Nothing in analytics/ or ui/ imports this package.
"""
