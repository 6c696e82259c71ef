"""Quality control: overlays for the reader and plausibility flags across sides and visits."""
