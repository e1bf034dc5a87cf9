"""The ``flask`` command groups; each topic module adds its commands to one of these."""

from flask.cli import AppGroup

campaigns_cli = AppGroup("campaigns", help="Publish, verify, reconcile and report on campaigns.")
staff_cli = AppGroup("staff", help="Staff accounts of the console.")
wechat_sim_cli = AppGroup("wechat-sim", help="Drive the local WeChat simulator (pushes, misbehaviour).")
