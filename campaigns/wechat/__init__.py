"""WeChat through wechatpy: clients, shared tokens, OAuth, pushes, JS-SDK and follow gating.

Nothing here imports Flask. Every WeChat URL follows the settings ``WECHAT_API_BASE``,
``WECHAT_OPEN_BASE`` and ``WECHAT_MP_BASE``, which is all that tells the real WeChat
from the local simulator.
"""
