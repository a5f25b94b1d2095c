"""Outputs built from the model and from laid-out panels: files, port tables, images."""
