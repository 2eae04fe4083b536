"""Reading the index: query, similar, filters, ranking. Never writes."""
