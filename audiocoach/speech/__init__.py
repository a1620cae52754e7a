"""Speech: engines that turn text into clips, and the cache in front of them."""
