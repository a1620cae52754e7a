"""Allow ``python -m audiocoach``."""

from audiocoach.cli import main

if __name__ == "__main__":
    main()
