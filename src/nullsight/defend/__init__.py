"""Defences against null-space attacks (beyond seeds 000 and 001): detect inputs with unusual null-space energy,
purify inputs by projecting them onto what the network sees."""
