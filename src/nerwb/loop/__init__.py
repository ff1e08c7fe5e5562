"""The loop as a whole: what it does when not told (``default``) and where a team stands in it
(``status``). Both only read what the stages wrote; neither needs Doccano or spaCy."""
