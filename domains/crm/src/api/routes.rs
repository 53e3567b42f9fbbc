//! [`record_api!`]: the one `#[OpenApi]` block of a record kind, holding
//! the endpoints every kind shares (get, delete, restore, and where the
//! kind has them timeline, search and merge) written once, beside the
//! kind's own endpoints (create, list, update, …) written by the kind.
//!
//! poem-openapi takes operation ids, paths and documentation only as
//! literals, and an API's paths must sit in one `#[OpenApi]` block (two
//! blocks sharing a path would give the spec two entries for it), so the
//! shared endpoints are a macro rather than a generic impl. Each kind still
//! writes its operation ids and its documentation in words.

/// Declares the `#[OpenApi]` block of a record kind's API.
///
/// The API struct (written by the kind) has a field `records:
/// RecordEndpoints<F>`; with `search` also `search: SearchService<F>`,
/// with `merge` also `merges: MergeService<F>`. Each shared operation is
/// given as `get "operation.id" ["Summary." "Description."];`; the kind's
/// own endpoints follow in braces, as they would in the block.
macro_rules! record_api {
    (
        $api:ident as $dto:ty, paged $page:ty;
        at $prefix:tt, tagged $tag:tt;
        get $get:tt [$get_summary:tt $get_doc:tt];
        delete $delete:tt [$delete_summary:tt $delete_doc:tt];
        restore $restore:tt [$restore_summary:tt $restore_doc:tt];
        $(timeline $timeline:tt [$timeline_summary:tt $timeline_doc:tt];)?
        $(search $search:tt [$search_summary:tt $search_doc:tt];)?
        $(merge $merge:tt [$merge_summary:tt $merge_doc:tt];)?
        { $($own:tt)* }
    ) => {
        #[poem_openapi::OpenApi(prefix_path = $prefix, tag = $tag)]
        impl $api {
            $($own)*

            #[doc = $get_summary]
            #[doc = ""]
            #[doc = $get_doc]
            #[oai(path = "/:id", method = "get", operation_id = $get)]
            async fn get(
                &self,
                caller: gremlin_kernel::http::Caller,
                id: poem_openapi::param::Path<String>,
            ) -> std::result::Result<gremlin_kernel::http::Tagged<$dto>, gremlin_kernel::ProblemResponse> {
                Ok($crate::api::common::tagged::<$dto, _>(&self.records.get(&caller, &id.0).await?))
            }

            #[doc = $delete_summary]
            #[doc = ""]
            #[doc = $delete_doc]
            #[oai(path = "/:id", method = "delete", operation_id = $delete)]
            async fn delete(
                &self,
                caller: gremlin_kernel::http::Caller,
                id: poem_openapi::param::Path<String>,
                #[oai(name = "If-Match")] if_match: gremlin_kernel::http::IfMatch,
            ) -> std::result::Result<gremlin_kernel::http::Tagged<$dto>, gremlin_kernel::ProblemResponse> {
                let record = self.records.delete(&caller, &id.0, if_match).await?;
                Ok($crate::api::common::tagged::<$dto, _>(&record))
            }

            #[doc = $restore_summary]
            #[doc = ""]
            #[doc = $restore_doc]
            #[oai(path = "/:id/restore", method = "post", operation_id = $restore)]
            async fn restore(
                &self,
                caller: gremlin_kernel::http::Caller,
                id: poem_openapi::param::Path<String>,
                #[oai(name = "If-Match")] if_match: gremlin_kernel::http::IfMatch,
                #[oai(name = "Idempotency-Key")] key: gremlin_kernel::http::IdempotencyKey,
            ) -> std::result::Result<gremlin_kernel::http::Tagged<$dto>, gremlin_kernel::ProblemResponse> {
                let record = self.records.restore(&caller, &id.0, if_match, &key, $restore).await?;
                Ok($crate::api::common::tagged::<$dto, _>(&record))
            }

            $(
            #[doc = $timeline_summary]
            #[doc = ""]
            #[doc = $timeline_doc]
            #[oai(path = "/:id/timeline", method = "get", operation_id = $timeline)]
            async fn timeline(
                &self,
                caller: gremlin_kernel::http::Caller,
                id: poem_openapi::param::Path<String>,
                /// Page size, 1-200 (default 50).
                #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
                limit: poem_openapi::param::Query<Option<u32>>,
                /// `next_cursor` of the previous page.
                cursor: poem_openapi::param::Query<Option<String>>,
            ) -> std::result::Result<poem_openapi::payload::Json<$crate::api::timeline::TimelinePage>, gremlin_kernel::ProblemResponse>
            {
                let page = self.records.timeline(&caller, &id.0, limit.0, cursor.0).await?;
                Ok(poem_openapi::payload::Json(page.into()))
            }
            )?

            $(
            #[doc = $search_summary]
            #[doc = ""]
            #[doc = $search_doc]
            #[oai(path = "/search", method = "post", operation_id = $search)]
            async fn search(
                &self,
                caller: gremlin_kernel::http::Caller,
                body: poem_openapi::payload::Json<$crate::api::search::SearchBody>,
            ) -> std::result::Result<poem_openapi::payload::Json<$page>, gremlin_kernel::ProblemResponse> {
                Ok(poem_openapi::payload::Json(self.search.search(&caller, body.0.into()).await?.into()))
            }
            )?

            $(
            #[doc = $merge_summary]
            #[doc = ""]
            #[doc = $merge_doc]
            #[oai(path = "/:id/merge", method = "post", operation_id = $merge)]
            async fn merge(
                &self,
                caller: gremlin_kernel::http::Caller,
                id: poem_openapi::param::Path<String>,
                body: poem_openapi::payload::Json<$crate::api::common::MergeBody>,
                #[oai(name = "If-Match")] if_match: gremlin_kernel::http::IfMatch,
                #[oai(name = "Idempotency-Key")] key: gremlin_kernel::http::IdempotencyKey,
            ) -> std::result::Result<gremlin_kernel::http::Tagged<$dto>, gremlin_kernel::ProblemResponse> {
                let record = self.records.merge(&self.merges, &caller, &key, $merge, &id.0, if_match, body.0).await?;
                Ok($crate::api::common::tagged::<$dto, _>(&record))
            }
            )?
        }
    };
}

pub(crate) use record_api;
