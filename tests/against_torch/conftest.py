"""Every test in this folder compares minigrad against PyTorch; without PyTorch the folder
skips as a whole. (The folder is not named ``torch``: on the test path, a folder of that name
would be imported as the ``torch`` module wherever PyTorch is not installed.)"""

import pytest

pytest.importorskip(
    "torch",
    reason="torch is not installed: the PyTorch comparison tests need it (pip install torch==2.13.0, CPU build)",
)
