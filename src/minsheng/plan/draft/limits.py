"""The bounds of a notice (通知的上限): its size, and how many items, categories and units it
may hold. A real notice is far inside each; a text beyond one is the wrong file, refused."""

from __future__ import annotations

# A notice with its attachment is some 50 KB (the 2024 one is 35 KB); a text file over 1 MB
# is no notice, and refusing it early keeps every later pass quick.
MAX_TEXT_BYTES = 1024 * 1024
# The 2024 notice has 270 lines, a 100 KB text extracted from a PDF some 3,000 (a line per
# printed line); each line is looked at a bounded number of times, and this bounds them all.
MAX_LINES = 20_000
# A Word file also carries its styles, fonts and pictures; its text is held to the bound above.
MAX_DOCX_BYTES = 16 * 1024 * 1024
# What the parts of a Word file may claim when unpacked (a zip can claim far more than it
# weighs): the document itself, and all the parts together.
MAX_DOCX_PART = 16 * 1024 * 1024
MAX_DOCX_TOTAL = 64 * 1024 * 1024

# A district's list has 30 to 50 items in about 10 categories, each led by one to three of
# some 40 units; a province's is no larger.
MAX_ITEMS = 500
MAX_CATEGORIES = 50
MAX_UNITS = 300
MAX_UNITS_PER_ITEM = 30
# The 2024 notice has 130 measures; a few thousand is no list a district keeps
MAX_MEASURES = 2000
# Targets guessed (figures and milestones) and numbers left unplaced, in the whole notice:
# the 2024 one has 91 figures and 20 milestones
MAX_TARGETS = 3000
