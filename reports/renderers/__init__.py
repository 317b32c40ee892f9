"""Renderers turn a built pack (``reports.exports.Pack``) into files: Excel, PDF, CSV."""
