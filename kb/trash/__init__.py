"""The page recycle bin: deleting a knowledge page moves its subtree here, never straight away."""
