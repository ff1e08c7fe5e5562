"""Apply a trained pipeline to new articles: inputs, model identity, engines, resumable output."""
