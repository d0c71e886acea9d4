//! What people read: records of processing (Art. 30), privacy notices (Arts. 13, 14), letters, breach notification drafts and diagrams.
