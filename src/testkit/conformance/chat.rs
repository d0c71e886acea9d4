//! `ChatHistory` as the conformance kit's [`SourceFixture`] and [`RetentionFixture`]: how the kit
//! puts its test data into the reference source and sets its retention (it lives in the kit, not beside `ChatHistory`, because `store` may not import `testkit`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{FixtureAuthor, FixtureMessage, FixtureSubject, RetentionFixture, SourceFixture};
use crate::model::{SubjectIdentifier, Token};
use crate::retention::RetentionPolicy;
use crate::store::chat::{ChatHistory, ConversationId, Sender, VisitorId};
use crate::store::{Scope, StoreError};

#[async_trait]
impl SourceFixture for ChatHistory {
    async fn add_subject(
        &self,
        scope: Scope,
        identifiers: &[SubjectIdentifier],
        at: DateTime<Utc>,
    ) -> Result<FixtureSubject, StoreError> {
        let token = identifiers.iter().find_map(|i| match i {
            SubjectIdentifier::ChatVisitorToken(t) => Some(t.clone()),
            _ => None,
        });
        let token = match token {
            Some(t) => t,
            None => Token::new(&format!("kit-{}", Uuid::now_v7().simple()))
                .map_err(|e| StoreError::Invalid { what: "visitor token".to_owned(), reason: e.to_string() })?,
        };
        let visitor = self.add_visitor(scope, token, at).await?;
        for identifier in identifiers {
            self.add_identifier(scope, visitor, identifier.clone(), at).await?;
        }
        Ok(FixtureSubject(visitor.to_string()))
    }

    async fn add_conversation(
        &self,
        scope: Scope,
        subjects: &[FixtureSubject],
        messages: &[FixtureMessage],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let invalid = |reason: String| StoreError::Invalid { what: "fixture conversation".to_owned(), reason };
        let visitors = subjects
            .iter()
            .map(|s| s.0.parse::<VisitorId>().map_err(|e| invalid(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(first) = visitors.first() else { return Err(invalid("no subject".to_owned())) };
        let conversation: ConversationId = self.start_conversation(scope, *first, at).await?;
        for v in &visitors[1..] {
            self.join_conversation(scope, conversation, *v, at).await?;
        }
        for (i, m) in messages.iter().enumerate() {
            let from = match &m.from {
                FixtureAuthor::Subject(n) => {
                    Sender::Visitor(*visitors.get(*n).ok_or_else(|| invalid(format!("no subject {n}")))?)
                }
                FixtureAuthor::Agent(name) => Sender::Agent(name.clone()),
                FixtureAuthor::Bot => Sender::Bot,
            };
            let sent_at = at + chrono::TimeDelta::seconds(i as i64 + 1);
            self.post(scope, conversation, from, m.text.clone(), Vec::new(), sent_at).await?;
        }
        Ok(())
    }

    async fn processing_view(&self, scope: Scope) -> Result<String, StoreError> {
        let mut view = Vec::new();
        for summary in self.conversations(scope).await? {
            for v in &summary.visitors {
                view.push(serde_json::to_value(self.profile(scope, *v).await?).unwrap_or_default());
            }
            view.push(serde_json::to_value(self.transcript(scope, summary.id).await?).unwrap_or_default());
            view.push(serde_json::to_value(summary).unwrap_or_default());
        }
        Ok(serde_json::Value::Array(view).to_string())
    }
}

#[async_trait]
impl RetentionFixture for ChatHistory {
    async fn set_retention(&self, scope: Scope, policies: &[RetentionPolicy]) -> Result<(), StoreError> {
        ChatHistory::set_retention(self, scope, policies.to_vec());
        Ok(())
    }
}
