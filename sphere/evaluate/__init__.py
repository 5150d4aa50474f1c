"""`sphere evaluate`: score any model or embeddings file on the verification benchmarks of the field,
under each harness's rule (sphere.protocols.rules), side by side."""
