//! The obligations agenda: every open duty, who owes it to whom, under which article, by when.
