"""The dashboard: a web page served by the api function (``GET /ui``), with no build step.

``static/`` holds the page, its JavaScript modules and its style sheet exactly as the browser
gets them; ``assets.py`` reads them and says which headers they are served with.
"""
