"""PlanCampus web layer."""
