"""Applying a trained model to text: entity predictions and the model's uncertainty."""
