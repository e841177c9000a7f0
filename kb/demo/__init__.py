"""Demo data: a believable Chinese equipment maker's knowledge base, loaded by `load_demo_data`.

The content is data (kb/demo/content/), the document files are generated from it on the fly
(kb/demo/generators.py) and kb/demo/loader.py writes it all, keyed by natural keys so a second run
changes nothing.
"""
