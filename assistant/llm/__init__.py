"""The LLM planner: a LangChain agent over the tool catalog on any OpenAI-compatible model.

``model`` builds the chat model from the settings, ``tools`` wraps catalog entries as
LangChain tools with the :class:`tools.context.ToolContext` bound outside the model's
schema, ``agent`` runs the agent with the number guard. Imported only when an LLM is
configured, so the offline path never pays for langchain.
"""
