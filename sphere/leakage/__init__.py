"""Train/test leakage: identities of a training set that are also in a test set, found by name and by
embedding (`sphere leakage`, tables/leakage.csv, figures/leakage.png; README "Leakage")."""
