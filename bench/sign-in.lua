-- wrk script: POST /api/auth/sign-in/email with a valid user's credentials
-- (created beforehand), as a sign-in flood would.
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"email":"flood@example.com","password":"correct-horse-battery-1"}'
