"""Building blocks of the deterministic feed simulator (``sources.simulator``).

Split by concern: upstream ids, static ride/park traits, the weather model and the
per-(park, local date) day plan. Nothing here knows payload shapes or the database.
"""
