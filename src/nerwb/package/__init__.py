"""``nerwb package``: a trained model as an installable pipeline package (a wheel), with the
training manifest and the evaluation reports inside, for the people who run it elsewhere."""
