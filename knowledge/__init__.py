"""The knowledge layer: what the interaction notes say, searchable and structured.

Owns the sentence embeddings (``embeddings``), the Chroma notes index (``store``,
``chunking``, ``indexing``, ``search``), the extraction of preferences and
decision-chain roles (``extract``, ``facts_writer``), the power map (``power_map``)
and their catalog tools (``tools``). Depends on ``crm`` and the ``tools`` catalog
infrastructure; never imports langchain, fastapi or slack. torch, sentence-transformers
and chromadb are imported lazily, only when an embedding or the index is needed.
"""
