"""Data for demos, benchmarks and load tests: `manage.py seed_jobs` (realistic jobs in bulk) and `manage.py
seed_demo` (the demo accounts, company, jobs and contract).

vocabulary.py holds the words and numbers, generator.py draws rows from a seed, writers.py stores them. This
package is the top layer: it imports the apps, and no app imports it.
"""
