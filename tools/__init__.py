"""Typed analytics tools over the CRM store, and the catalog that lists them.

Every tool is a plain function ``tool(ctx: ToolContext, *, ...) -> PydanticResult``.
Imports ``crm`` and numpy/scipy/pandas/scikit-learn only; never langchain, fastapi,
slack, or the knowledge layer (extracted roles and preferences are read from the
CRM tables the knowledge layer writes).
"""
