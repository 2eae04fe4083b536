"""Text to vectors: sentence-transformers for builds, an ONNX export for queries."""
