from a2p_intake import domain


class TestRegistrationId:
    def test_same_tenant_and_key_give_the_same_id(self) -> None:
        assert domain.registration_id("t1", "k") == domain.registration_id("t1", "k")

    def test_the_same_key_at_another_tenant_gives_another_id(self) -> None:
        assert domain.registration_id("t1", "k") != domain.registration_id("t2", "k")

    def test_without_a_key_every_request_gets_a_new_id(self) -> None:
        assert domain.registration_id("t1", None) != domain.registration_id("t1", None)


class TestApiKeys:
    def test_an_issued_token_parses_back_to_its_id_and_matching_secret(self) -> None:
        issued = domain.issue_key()
        parsed = domain.parse_token(issued.token)
        assert parsed is not None
        key_id, secret = parsed
        assert key_id == issued.key_id
        assert domain.secret_matches(secret, issued.secret_sha256)

    def test_the_stored_hash_is_not_the_secret(self) -> None:
        issued = domain.issue_key()
        assert issued.token.split(".", 1)[1] not in issued.secret_sha256

    def test_a_wrong_secret_does_not_match(self) -> None:
        issued = domain.issue_key()
        assert not domain.secret_matches("guess", issued.secret_sha256)

    def test_malformed_tokens_are_not_parsed(self) -> None:
        for token in ("", "a2p_", "a2p_abc", "a2p_.secret", "a2p_id.", "sk_live_abc.def"):
            assert domain.parse_token(token) is None, token

    def test_scope_is_the_listed_tenants_or_all(self) -> None:
        assert domain.may_act_for(["t1", "t2"], "t2")
        assert not domain.may_act_for(["t1"], "t2")
        assert domain.may_act_for([domain.ALL_TENANTS], "anyone")


class TestFingerprint:
    def test_differs_when_any_field_differs(self, registration) -> None:
        changed = registration.model_copy(update={"numbers": ["+12175550199"]})
        assert domain.fingerprint(registration) != domain.fingerprint(changed)
        assert domain.fingerprint(registration) == domain.fingerprint(registration.model_copy())
