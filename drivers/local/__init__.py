"""The local object storage driver: files under the state directory (the embedded default)."""
