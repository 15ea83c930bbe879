"""The forum: its meetings, agendas, minutes and follow-ups."""
