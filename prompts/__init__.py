"""Prompt templates as files, plus a tiny typed renderer (:mod:`prompts.render`).

Imports nothing of ours.
"""
