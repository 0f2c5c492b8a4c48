"""The capture command (`python -m tools.reconhecer`): a draft of a profile's stack map from a live stack."""
