"""The completion report (完成情况通报), computed: completion, 序时进度 and status as pure
functions (compute), what they find for each target, item, unit and category (results), the
monthly cycle's on-time returns, history and escalations (cycle), the money beside the work
(funds), 最新进展 in words (latest), and the Report with the JSON document that every output
stands on (document). Imports core, plan and progress; never a view or a renderer (the
bulletin's tables are in minsheng.views, the formats in minsheng.render)."""
