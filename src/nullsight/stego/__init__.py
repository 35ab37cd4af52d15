"""Seed 001 (Li & Short): the null space of an MLP's first weight, steganography in it, and what the network sees."""
