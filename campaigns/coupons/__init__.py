"""Coupons: platform codes and WeChat cards, awarded with a prize and redeemed once."""
