"""The agent: planners (LLM via LangChain, offline), memory, answers with citations, scope.

May import ``tools``, ``knowledge``, ``prompts``, ``crm`` and langchain; never ``api``.
"""
