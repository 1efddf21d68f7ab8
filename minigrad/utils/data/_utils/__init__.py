"""The DataLoader's machinery, laid out as in PyTorch: collation (``collate``), fetching
samples from a dataset (``fetch``) and the worker processes (``worker``)."""
