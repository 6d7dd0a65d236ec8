"""`make bench`: the project's Rasa configuration ("ours") beside Rasa's default ("stock") and a
plain search over the article ("search"), on the same machine, data, domain and actions.

    python -m tools.bench [--fresh] [--only ours,stock,search] [--skip cv,retrain] [--levels 1,8,32]
    python -m tools.bench --report-only   # rewrite the outputs from the last measurements

Writes bench/results.json and bench/REPORT.md (with PNG plots); scratch and per-stage caches go
to bench/work/. See `python -m tools.bench --help`.
"""
