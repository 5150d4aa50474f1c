"""Statistics behind the claims table (issue 11): seed aggregation, confidence intervals, paired tests."""
