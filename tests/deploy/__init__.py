"""Two app processes and a task worker against one PostgreSQL database."""
