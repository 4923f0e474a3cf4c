//! SNIP-24 query-permit verification: rebuild the Amino sign document the wallet signed, hash it, check the
//! secp256k1 signature through the host's `secp256k1_verify`, and derive the signer's account from the pubkey.

use cosmwasm_std::{to_vec, Api, CanonicalAddr, StdError, StdResult, Storage};
use ripemd::Ripemd160;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::msg::{Permission, Permit};
use crate::state;

/// The only key type a permit may carry (SNIP-24; cosmjs `encodeSecp256k1Pubkey`).
const PUBKEY_TYPE: &str = "tendermint/PubKeySecp256k1";
const COMPRESSED_PUBKEY_LEN: usize = 33;
const SIGNATURE_LEN: usize = 64;

// Field order below is alphabetical: Amino JSON sign bytes are sorted-key, compact JSON
// (cosmjs amino `serializeSignDoc`: sortedJsonStringify then escapeCharacters).
#[derive(Serialize)]
struct SignDoc<'a> {
    account_number: &'static str,
    chain_id: &'a str,
    fee: Fee,
    memo: &'static str,
    msgs: [SignMsg<'a>; 1],
    sequence: &'static str,
}

#[derive(Serialize)]
struct Fee {
    amount: [FeeCoin; 1],
    gas: &'static str,
}

#[derive(Serialize)]
struct FeeCoin {
    amount: &'static str,
    denom: &'static str,
}

#[derive(Serialize)]
struct SignMsg<'a> {
    r#type: &'static str,
    value: SignValue<'a>,
}

#[derive(Serialize)]
struct SignValue<'a> {
    allowed_tokens: &'a [String],
    permissions: &'a [Permission],
    permit_name: &'a str,
}

/// The exact bytes a wallet signs for `permit` (secretjs `signPermit`: fee 0uscrt, gas "1", account 0, seq 0).
pub fn sign_bytes(permit: &Permit) -> StdResult<Vec<u8>> {
    let doc = SignDoc {
        account_number: "0",
        chain_id: &permit.params.chain_id,
        fee: Fee { amount: [FeeCoin { amount: "0", denom: "uscrt" }], gas: "1" },
        memo: "",
        msgs: [SignMsg {
            r#type: "query_permit",
            value: SignValue {
                allowed_tokens: &permit.params.allowed_tokens,
                permissions: &permit.params.permissions,
                permit_name: &permit.params.permit_name,
            },
        }],
        sequence: "0",
    };
    Ok(escape_amino(&to_vec(&doc)?))
}

/// cosmjs escapes `&`, `<`, `>` as \u0026, \u003c, \u003e (Go's encoding/json does the same).
fn escape_amino(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    for &b in json {
        match b {
            b'&' => out.extend_from_slice(b"\\u0026"),
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            _ => out.push(b),
        }
    }
    out
}

/// Cosmos account of a secp256k1 key: ripemd160(sha256(compressed pubkey)).
pub fn pubkey_to_account(pubkey: &[u8]) -> CanonicalAddr {
    let sha = Sha256::digest(pubkey);
    CanonicalAddr::from(Ripemd160::digest(sha).to_vec())
}

/// Verifies `permit` for this contract and `needed`; returns the signer's account.
pub fn verify(
    api: &dyn Api,
    storage: &dyn Storage,
    permit: &Permit,
    contract_address: &str,
    chain_id: &str,
    needed: Permission,
) -> StdResult<CanonicalAddr> {
    let params = &permit.params;
    if !params.allowed_tokens.iter().any(|t| t == contract_address) {
        return Err(StdError::generic_err(format!(
            "Permit doesn't apply to token {:?}, allowed tokens: {:?}",
            contract_address, params.allowed_tokens
        )));
    }
    if params.chain_id != chain_id {
        return Err(StdError::generic_err("Permit was signed for another chain"));
    }
    if !params.permissions.contains(&needed) {
        return Err(StdError::generic_err(format!("No permission to query, got permissions {:?}", params.permissions)));
    }
    let sig = &permit.signature;
    if sig.pub_key.r#type != PUBKEY_TYPE || sig.pub_key.value.len() != COMPRESSED_PUBKEY_LEN {
        return Err(StdError::generic_err("Unsupported permit public key"));
    }
    if sig.signature.len() != SIGNATURE_LEN {
        return Err(StdError::generic_err("Permit signature must be 64 bytes"));
    }
    let hash = Sha256::digest(sign_bytes(permit)?);
    let valid = api
        .secp256k1_verify(&hash, sig.signature.as_slice(), sig.pub_key.value.as_slice())
        .map_err(|e| StdError::generic_err(format!("Failed to verify signatures for the given permit: {}", e)))?;
    if !valid {
        return Err(StdError::generic_err("Failed to verify signatures for the given permit"));
    }
    let account = pubkey_to_account(sig.pub_key.value.as_slice());
    if state::is_permit_revoked(storage, &account, &params.permit_name) {
        return Err(StdError::generic_err(format!("Permit {:?} was revoked by account", params.permit_name)));
    }
    Ok(account)
}
