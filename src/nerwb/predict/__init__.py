"""Applying a trained model to text: new articles (inputs, model identity, engines, resumable
output) and the spans it suggests to annotators."""
