"""The index: the store over ChromaDB, keyword index, backup, lock, the build pipeline."""
