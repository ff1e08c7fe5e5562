"""Applying a trained model to text: new articles (inputs, model identity, engines, resumable
output), the model's uncertainty, and the spans it suggests to annotators."""
