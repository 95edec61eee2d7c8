"""API rate limits as HubSpot had them: rolling-window and daily limits per credential."""
